import sys

from zoo_cli.main import main

sys.exit(main())
