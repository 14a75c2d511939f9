#!/usr/bin/env python3
"""Run the `xxgk` command from a source checkout: `python3 build.py --help` (installed, the command is `xxgk`)."""

import sys

try:
    from xxgk.cli import run
except ModuleNotFoundError as exc:
    if (exc.name or "").partition(".")[0] == "xxgk":
        raise
    # Run with a Python that lacks the dependencies: say how to get them instead of showing a traceback.
    sys.exit(
        f"缺少依赖包 {exc.name}：请改用 ./dev build（自动安装依赖），或先运行 pip install . 再用 xxgk 命令。"
        f" / Missing dependency {exc.name}: run ./dev build, or pip install . and use the xxgk command."
    )
except KeyboardInterrupt:  # Ctrl+C while Python loads the tool: nothing has been touched yet
    print("已中断（Ctrl+C）。", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    run()
