"""What machine a benchmark ran on, for the scripts beside this file."""

import platform


def cpu_model() -> str:
    """The processor's model name (Linux), else its architecture."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()
