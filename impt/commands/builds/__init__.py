"""`impt build ...`: builds (Deployments): cleanup, copy, delete, deploy, get, info, list, run, update."""

from __future__ import annotations

from impt import options as o
from impt.commands.builds.deploy import deploy, run
from impt.commands.builds.manage import cleanup, copy, delete, get, info, list_builds, update

_DEVICE_FILE = o.text("device-file", "x", "device_file", "The device source file (default: the project's).")
_AGENT_FILE = o.text("agent-file", "y", "agent_file", "The agent source file (default: the project's).")
_DESCR = o.descr_option("build_description", "A description of the build (Deployment).")
_ORIGIN = o.text("origin", "o", "origin", "Where the code comes from, e.g. a repository URL.", empty_ok=True)
_TAG = o.Option("tag", "t", o.ARRAY, "A tag for the build; repeat for several.", "tag")
_FLAGGED = o.Option("flagged", "f", o.BOOL, "true (or no value): the build cannot be deleted until unflagged.")
_DEPLOY_OPTIONS = (o.dg(), _DEVICE_FILE, _AGENT_FILE, _DESCR, _ORIGIN, _TAG, _FLAGGED)

COMMANDS = (
    o.Command(
        "build",
        "cleanup",
        "Deletes builds which are not related to any Device Group.",
        "Deletes 'zombie' builds (Deployments without a Device Group), of one Product or of the whole "
        "account. Flagged ones are kept unless --unflag. Asks unless --confirmed.",
        (
            o.product(required=""),
            o.flag("unflag", "u", "Also deletes flagged zombie builds."),
            o.confirmed(),
        ),
        cleanup,
    ),
    o.Command(
        "build",
        "copy",
        "Copies the specified build to the specified Device Group.",
        "Creates a new build for the Device Group from the code of the specified build (--all: also its "
        "description, origin, tags and flagged).",
        (
            o.build(),
            o.dg(required=o.YES, descr="The Device Group the new build is created for."),
            o.flag("all", "a", "Copies all attributes of the build."),
        ),
        copy,
    ),
    o.Command(
        "build",
        "delete",
        "Deletes the specified build.",
        "Deletes the specified build. Fails for the Device Group's min supported build or newer, and "
        "for flagged builds unless --force. Asks unless --confirmed.",
        (o.build(required=o.YES), o.flag("force", "f", "Unflags the build first."), o.confirmed()),
        delete,
    ),
    o.Command(
        "build",
        "deploy",
        "Creates and deploys a build.",
        "Creates a build (Deployment) from the source files for the Device Group. Devices run it after a restart.",
        _DEPLOY_OPTIONS,
        deploy,
    ),
    o.Command(
        "build",
        "get",
        "Downloads the source files of the specified build.",
        "Downloads the source files of the build and shows it. Asks before overwriting unless --confirmed.",
        (
            o.build(),
            _DEVICE_FILE,
            _AGENT_FILE,
            o.flag("device-only", "i", "Downloads the device code only."),
            o.flag("agent-only", "j", "Downloads the agent code only."),
            o.confirmed(),
        ),
        get,
    ),
    o.Command(
        "build",
        "info",
        "Displays information about the specified build.",
        "Displays information about the specified build (Deployment), including its code.",
        (o.build(),),
        info,
    ),
    o.Command(
        "build",
        "list",
        "Displays information about all or filtered builds.",
        "Displays the builds available to the current account. Repeated filter options are OR-ed, "
        "different options are AND-ed.",
        (
            o.owner_filter(),
            o.product_filter(),
            o.dg_filter(),
            o.dg_type_filter(),
            o.Option("sha", "s", o.ARRAY, "Builds with the specified SHA only.", "deployment_sha"),
            o.Option("tag", "t", o.ARRAY, "Builds with the specified tag only.", "tag"),
            o.flag("flagged", "f", "Flagged builds only."),
            o.flag("unflagged", "u", "Unflagged builds only."),
            o.flag("non-zombie", "n", "Builds related to a Device Group only."),
            o.flag("zombie", "m", "Builds not related to any Device Group only."),
        ),
        list_builds,
    ),
    o.Command(
        "build",
        "run",
        "Creates, deploys and runs a build.",
        "Creates a build for the Device Group, restarts its devices and optionally streams their logs.",
        (
            *_DEPLOY_OPTIONS,
            o.flag("conditional", "c", "Triggers a conditional restart."),
            o.flag("log", "l", "Streams the devices' logs afterwards (Ctrl-C to stop)."),
        ),
        run,
    ),
    o.Command(
        "build",
        "update",
        "Updates the specified build.",
        "Updates the description, tags and/or flagged attribute of the specified build.",
        (
            o.build(),
            _DESCR,
            _TAG,
            o.Option("remove-tag", "r", o.ARRAY, "A tag to remove; repeat for several.", "tag"),
            _FLAGGED,
        ),
        update,
    ),
)
