"""xxgk: a static site generator for 政府信息公开 (government information disclosure) portals."""

__version__ = "0.1.0"
