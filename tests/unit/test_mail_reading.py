"""Reading a mail that nobody vouches for (tocsin.formats.mail): never an exception, every
header on its own, HTML kept as its text, what could not be read said in plain words."""

from __future__ import annotations

from tocsin.formats.mail import read, text_of_html


def test_a_plain_mail_gives_its_sender_subject_answers_text_and_files() -> None:
    letter = read(
        b"From: Ann <ANN@Example.NET>\r\nSubject: Re: notice\r\n"
        b"Message-ID: <m1@example.net>\r\nIn-Reply-To: <n2@csirt.example>\r\n"
        b"References: <n1@csirt.example> <n2@csirt.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: text/csv\r\n"
        b'Content-Disposition: attachment; filename="a.csv"\r\n\r\nx,y\r\n--b--\r\n'
    )
    assert (letter.sender, letter.subject, letter.message_id) == (
        "ann@example.net", "Re: notice", "<m1@example.net>",
    )  # fmt: skip
    assert letter.answers == ("<n2@csirt.example>", "<n1@csirt.example>")
    assert letter.text == "hello"
    [attachment] = letter.attachments
    assert (attachment.filename, attachment.content) == ("a.csv", b"x,y")
    assert letter.problems == ()


def test_html_keeps_only_its_words() -> None:
    markup = (
        "<html><head><title>t</title><style>b{}</style></head><body><script>evil()</script>"
        "<p>one &amp; two</p><div>three<!-- hidden --></div></body></html>"
    )
    assert text_of_html(markup) == "one & two\nthree"


def test_forged_and_broken_headers_are_said_not_raised() -> None:
    letter = read(
        b"From: a@example.net, b@example.net\r\nSubject: \x1b]0;title\x07hi\x00\r\n"
        b"Content-Type: text/plain; charset=klingon\r\n\r\nbody\r\n"
    )
    assert letter.sender == "" and letter.message_id == ""
    assert "\x1b" not in letter.subject and "\x00" not in letter.subject
    assert any("exactly one address" in p for p in letter.problems)
    assert any("unknown charset" in p for p in letter.problems)
    assert letter.text == "body"


def test_a_mail_that_is_not_a_mail_at_all_still_reads() -> None:
    letter = read(b"\xff\xfe\x00garbage without headers\r\n")
    assert letter.message_id == "" and letter.sender == ""
