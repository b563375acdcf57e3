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


class PermissionDenied(KbError):
    """当前用户无权执行该操作。"""


class AlreadyVoted(KbError):
    """这个浏览器会话已经评价过该条目。"""


class AuthError(KbError):
    """登录失败。"""


class ReviewStateError(KbError):
    """变更请求的状态不允许该操作。"""

