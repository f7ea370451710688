from bibkg.cli import main

raise SystemExit(main())
