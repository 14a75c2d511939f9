"""What the command line says about a failure no stage reported as a Problem: never a traceback.

Operating-system errors (a full or read-only disk, a busy port, a folder where a file should be) are named with
the file and what to do; anything else is a fault in this tool, said so plainly with the way to see the details.
"""

from __future__ import annotations

import errno

# errno -> (what happened, what to do)
_OS_REASONS = {
    errno.ENOSPC: ("磁盘空间已满", "请清理磁盘空间后重试"),
    errno.EDQUOT: ("超出了磁盘配额", "请清理空间或请管理员提高配额后重试"),
    errno.EFBIG: ("文件超出了系统允许的大小", "请检查磁盘和系统对文件大小的限制"),
    errno.EROFS: ("所在的磁盘是只读的", "请换一个可写的输出文件夹（--out），或请管理员以可写方式挂载"),
    errno.EACCES: ("没有读写权限", "请检查这个文件或文件夹的权限，或换一个文件夹"),
    errno.EPERM: ("操作不被允许", "请检查这个文件或文件夹的权限，或换一个文件夹"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "请检查路径是否写错"),
    errno.ENOTDIR: ("路径中的某一级不是文件夹", "请检查路径是否写错"),
    errno.ENOENT: ("文件或文件夹不存在", "请检查路径是否写错"),
    errno.ELOOP: ("符号链接循环指向自身", "请删除或修正这个链接"),
    errno.ENAMETOOLONG: ("文件名太长", "请缩短文件名或路径"),
    errno.EMFILE: ("同时打开的文件太多", "请关闭其他程序后重试，或提高系统的打开文件数限制（ulimit -n）"),
    errno.EADDRINUSE: ("端口已被其他程序占用", "请关闭占用它的程序，或用 --port 换一个端口"),
    errno.EADDRNOTAVAIL: ("本机没有这个地址", "请检查地址和端口"),
    errno.EIO: ("磁盘读写出错", "请检查磁盘是否损坏或已断开"),
}


def os_reason(exc: OSError) -> str:
    """What went wrong with a file, in Chinese, from the error's errno (the system's words when it is unknown)."""
    known = _OS_REASONS.get(exc.errno or 0)
    return known[0] if known else (exc.strerror or str(exc))


def explain(exc: BaseException) -> str:
    """One message for an error that escaped every stage: the file and the remedy, or how to report a fault."""
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else ""
        reason, advice = _OS_REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "请检查磁盘和文件权限后重试"))
        return f"{where}{'：' if where else ''}无法完成读写：{reason}。{advice}。"
    if isinstance(exc, MemoryError):
        return "内存不足，无法完成。请关闭其他程序后重试，或检查是否有异常巨大的文件。"
    return (
        f"内部错误（{type(exc).__name__}: {exc}）。这是本工具的缺陷，不是内容的问题。"
        "请加上 --debug 重新运行以显示详细信息，并把输出发给维护人员。"
    )
