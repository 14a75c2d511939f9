"""Writes 名单.xls, the legacy Excel (BIFF8) fixture of tests/test_attachment_text.py: a 公示名单 with a full ID
number in cell C3 of the sheet “补贴名单” and a mobile number stored as a number in D3.

No test runs this; it documents how the committed file was made. xlwt (1.3.0, the last release) writes .xls:
    python3 -m venv /tmp/xlwt && /tmp/xlwt/bin/pip install xlwt==1.3.0 && /tmp/xlwt/bin/python make_xls.py
"""

from pathlib import Path

import xlwt

book = xlwt.Workbook(encoding="utf-8")
book.add_sheet("说明").write(0, 0, "2019年困难群众补贴发放名单")
sheet = book.add_sheet("补贴名单")
for row, values in enumerate(
    [
        ["序号", "姓名", "身份证号", "联系电话"],
        [1, "张三", "110105********002X", "138****5678"],
        [2, "李四", "11010519491231002X", 13812345678],
    ]
):
    for column, value in enumerate(values):
        sheet.write(row, column, value)
book.save(str(Path(__file__).with_name("名单.xls")))
