IMPT_VERSION = "2.6.1"  # the impt release this console is a drop-in for
