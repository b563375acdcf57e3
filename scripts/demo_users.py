#!/usr/bin/env python3
"""Create the demo accounts of the sample knowledge base (idempotent: existing accounts are kept).

Every demo account has the published password ``demo-2026`` (kb_app.accounts.passwords.DEMO_PASSWORD), so
``kb serve`` listens beyond this machine only after each of them has a new password or is disabled:

    username          name     role                         unit
    hotline-editor    陈编辑   unit_editor (单位编辑)        hotline-center
    hotline-reviewer  周审核   unit_reviewer (单位审核人)    hotline-center
    hrss-editor       李编辑   unit_editor                   city-hrss
    hrss-reviewer     王审核   unit_reviewer                 city-hrss
    center            张校核   center_reviewer (热线中心校核)
    legal             赵法制   legal_reviewer (法制审核)
    agent             刘坐席   agent (坐席)
    admin             孙管理   admin (管理员)

Usage: scripts/demo_users.py --root ROOT [--data-dir DIR]
"""

import argparse
import sys

from kb_app import KbError, load_settings, open_kb
from kb_app.accounts.auth import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD
DEMO_USERS = [
    ("hotline-editor", "陈编辑", "unit_editor", "hotline-center"),
    ("hotline-reviewer", "周审核", "unit_reviewer", "hotline-center"),
    ("hrss-editor", "李编辑", "unit_editor", "city-hrss"),
    ("hrss-reviewer", "王审核", "unit_reviewer", "city-hrss"),
    ("center", "张校核", "center_reviewer", ""),
    ("legal", "赵法制", "legal_reviewer", ""),
    ("agent", "刘坐席", "agent", ""),
    ("admin", "孙管理", "admin", ""),
]


def main(argv=None):
    parser = argparse.ArgumentParser(description="为示例知识库建立演示账号（已存在的账号保持不变）。")
    parser.add_argument("--root", default=None, help="内容仓库目录")
    parser.add_argument("--data-dir", default=None, help="数据库与索引所在目录")
    args = parser.parse_args(argv)
    try:
        kb = open_kb(load_settings(root=args.root, data_dir=args.data_dir))
        for username, name, role, unit in DEMO_USERS:
            if kb.users.get(username) is None:
                kb.users.add(username, name, PASSWORD, role, unit, f"{username}@example.invalid", demo=True)
                print(f"已建立 {username}（{name}）")
    except KbError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    print(f"演示账号就绪，密码均为 {PASSWORD}（公开的演示密码：只供本机试用；要让其他机器访问，请先修改这些账号的密码）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
