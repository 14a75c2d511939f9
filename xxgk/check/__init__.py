"""The rules `check`, `build` and `serve` run, in one place; this docstring maps every rule code to where it lives.

Every finding is an `errors.Problem` with a code; a document silences a code with `allow: {code: reason}`.

Editorial linters over one document's raw source (lint.lint_source) or one built page (lint.lint_html); their codes
and levels are rules.RULES, and text.py folds the text they read while keeping positions:
    privacy-id-number, privacy-mobile, privacy-bank-card, privacy-landline  privacy.py
    spam-term, spam-pinyin                                                  spam.py
    hidden-element                                                          hidden.py
    external-link                                                           links.py
    classified-mark                                                         classified.py
    doc-no-brackets, doc-no-short-year, doc-no-leading-zero, doc-no-missing-hao,
    doc-no-di, doc-no-fullwidth, doc-no-spaces, doc-no-year                 docno.py
    genre-title-mismatch                                                    genre.py
    attachment-unreadable (and the privacy, spam and 密级 codes in attachments)  attachment_text.py
    the privacy codes again, over a body as its rendered page shows it           shown.py

One document's metadata beyond each value's type (metadata.check_document):
    index-form, index-check-char, index-body-code, index-year, publisher-short, publisher-unknown, date-order,
    repealed-missing, repealed-valid, replaced-valid, category, genre, validity, column

Across documents (validate.check_corpus, validate.serial_gaps):
    index-duplicate, url-collision, interprets-dangling, replaced-by-dangling, interprets-loop, replaced-by-loop,
    publish-late, interpretation-late, calendar-year, index-serial-gap

Against git history (history.changed_index_numbers): index-changed, index-history

The built pages before publication (page_scan.scan, through page_lint.PageLinter): the lint_html codes above.

Elsewhere, next to what they check:
    reading a document (content.py): front-matter-missing, front-matter-empty, required, recommended, encoding,
        file-name, file-large, duplicate-key, allow-unknown-rule, allow-without-reason, attachment-file, unsafe-html,
        body-too-deep; each value's type (fields.py): type-text, type-one-line, type-bool, type-int, type-list,
        type-mapping, empty-value, date-format, date-invalid, bad-character, unknown-key; YAML (yamltree.py): yaml-*
    attachments (attachments.py): attachment, link-unresolved; input files (sources.py): file-kind, file-too-large,
        file-unreadable
    the annual report and 年报 kinds (annual.py): annual-*, normative-unmarked
    config.yaml (config.py, disclosure.py): config-*, guide-missing; templates (render.py): template-*
    what `check PATH…` names (check/scope.py): path-unchecked; a named path that is not there (cli.py): path-missing
"""
