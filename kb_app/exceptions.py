"""The one family of errors a person sees; ``str(e)`` is the message shown to them."""


class KbError(Exception):
    """所有面向用户的错误的基类；str(e) 就是展示给用户的文字。"""


class ConfigError(KbError):
    """设置有误。"""


class EntryNotFound(KbError):
    """条目不存在。"""


class StoreError(KbError):
    """Git 仓库操作失败。"""


class PublishConflict(StoreError):
    """发布时主干已被他人修改。"""

    def __init__(self, message, paths=()):
        super().__init__(message)
        self.paths = list(paths)


class IndexUnreadable(KbError):
    """检索索引的文件无法读取（多半已损坏），要重建索引。"""


class PermissionDenied(KbError):
    """当前用户无权执行该操作。"""


class RemovalTooLate(PermissionDenied):
    """坐席要撤销的派单不是自己当天确认的：更早的记录只能由热线中心删除。"""


class AlreadyVoted(KbError):
    """这个浏览器会话已经评价过该条目。"""


class AuthError(KbError):
    """登录失败。"""


class AccountError(KbError):
    """账号的信息不合要求。消息不指明在哪里操作（网页和命令行都会看到它）；``field`` 说明是哪一项
    （``unit`` 所属单位、``exists`` 用户名已被占用、``missing`` 账号不存在），命令行据此补充自己的写法。"""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field


class ReviewStateError(KbError):
    """变更请求的状态不允许该操作。"""


class DatabaseUnusable(KbError):
    """流程数据库无法使用：没有写权限、已损坏或打不开（消息写明是哪个文件、怎样处理）。``reason`` 是 SQLite
    所报错误的中文说法（kb_app.db.sqlite_reason），``detail`` 是 SQLite 自己的英文原话（只写进日志），
    ``damaged`` 表示文件已损坏（要从备份恢复）。"""

    def __init__(self, message, detail="", damaged=False, reason=""):
        super().__init__(message)
        self.detail = detail
        self.damaged = damaged
        self.reason = reason


#: What the operating system's refusals mean, said to the person (its own ``strerror`` is English).
_OS_REASONS = {"ENOENT": "文件或目录不存在", "EACCES": "没有权限", "EPERM": "没有权限", "EISDIR": "这是一个目录，不是文件",
               "ENOTDIR": "路径中有一段不是目录", "ENOSPC": "磁盘空间已满", "EROFS": "所在位置是只读的",
               "EEXIST": "已经存在", "ENAMETOOLONG": "名称太长", "EMFILE": "打开的文件太多",
               "EADDRINUSE": "地址已被占用", "ENOTEMPTY": "目录不为空"}


def os_reason(error: OSError) -> str:
    """An OSError's reason in Chinese (the system's words when there is none for it)."""
    import errno

    return _OS_REASONS.get(errno.errorcode.get(error.errno or 0, ""), error.strerror or str(error))


def file_problem(error: OSError | UnicodeDecodeError) -> str:
    """What went wrong reading or writing a file, and what to do: for an error no command expected."""
    if isinstance(error, UnicodeDecodeError):
        return "读取的文件不是 UTF-8 编码（如表格软件按 GBK 导出的 CSV）：请另存为 UTF-8 后重试。"
    where = f"“{error.filename}”" if error.filename else "文件"
    return f"无法读写{where}：{os_reason(error)}。请检查路径和权限后重试。"
