"""glue_info: the shared Ansible glue, through the modules that use it."""

from imp_playback import (
    DEP,
    DG,
    DG2,
    deployment,
    device,
    four_reads,
    group,
    listing,
    without_code,
)


def test_info_modules_return_every_attribute_with_the_timestamps(auth_file):
    created, updated = "2025-03-04T05:06:07.000Z", "2025-06-07T08:09:10.000Z"
    stamps = {"created_at": created, "updated_at": updated}
    dep = without_code(deployment(DEP, flagged=True, tags=["v2"], **stamps))
    dg = group("prod", DG2, "production_devicegroup", region="eu", load_code_after_blessing=True, **stamps)
    dev = device(dg=DG, name="bench-1")
    dev["attributes"].update(stamps, swversion="43.12", imp_type="imp005", rssi=-70, free_memory=105856)
    cases = [
        ("deployment_info", "deployments", dep, listing("/deployments", dep)),
        ("device_group_info", "device_groups", dg, listing("/devicegroups", dg)),
        ("device_info", "devices", dev, listing("/devices", dev)),
    ]
    for name, key, raw, call in cases:
        view = four_reads(name, {"auth_file": auth_file}, [call])[key][0]
        assert view["created_at"] == created and view["updated_at"] == updated, name
        assert {k: view[k] for k in raw["attributes"]} == raw["attributes"], name
