"""html_to_text: readable text from mail HTML, with quoted parts marked."""

from __future__ import annotations

from mailflow.parsing.html_text import html_to_text


def test_script_style_and_head_are_dropped():
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>Hi<script>x()</script></body>"
    )
    assert html_to_text(html) == "Hi"


def test_paragraphs_are_separated_by_a_blank_line():
    assert html_to_text("<p>One</p><p>Two</p>") == "One\n\nTwo"


def test_br_is_a_newline():
    assert html_to_text("a<br>b<br/>c") == "a\nb\nc"


def test_unordered_list_items_become_dashes():
    assert html_to_text("<ul><li>tea</li><li>coffee</li></ul>") == "- tea\n- coffee"


def test_ordered_list_items_are_numbered():
    assert html_to_text("<ol><li>first</li><li>second</li></ol>") == "1. first\n2. second"


def test_blockquote_lines_are_prefixed():
    assert html_to_text("<p>New</p><blockquote>Old<br>text</blockquote>") == "New\n\n> Old\n> text"


def test_nested_blockquotes_are_prefixed_twice():
    html = "<blockquote>a<blockquote>b</blockquote></blockquote>"
    assert html_to_text(html).splitlines()[-1] == "> > b"


def test_entities_are_decoded():
    assert html_to_text("<p>Caf&eacute; &amp; th&#233;&nbsp;!</p>") == "Café & thé !"


def test_runs_of_blank_lines_collapse_to_one():
    assert html_to_text("<p>a</p><p></p><p></p><br><br><p>b</p>") == "a\n\nb"


def test_link_text_is_kept():
    assert html_to_text('See <a href="https://x.example">the agenda</a>.') == "See the agenda."


def test_gmail_quote_is_prefixed_including_attribution():
    html = (
        '<div dir="ltr">Yes!</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "On Mon, Mar 4, 2024 at 10:12 AM Léa wrote:<br></div>"
        '<blockquote class="gmail_quote">Are you in?</blockquote></div>'
    )
    lines = html_to_text(html).splitlines()
    assert lines[0] == "Yes!"
    assert "> On Mon, Mar 4, 2024 at 10:12 AM Léa wrote:" in lines
    assert "> Are you in?" in lines


def test_outlook_web_divrplyfwdmsg_starts_the_quoted_part():
    html = (
        "<div>Sounds good.</div><hr>"
        '<div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Léa<br><b>Sent:</b> Monday<br>'
        "<b>Subject:</b> Meeting</div><div>Shall we meet?</div>"
    )
    lines = html_to_text(html).splitlines()
    assert lines[0] == "Sounds good."
    assert "> From: Léa" in lines and "> Sent: Monday" in lines
    assert lines[-1] == "> Shall we meet?"


def test_outlook_desktop_border_div_starts_the_quoted_part():
    html = (
        '<p class="MsoNormal">Fine<o:p></o:p></p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        '<p class="MsoNormal"><b>From:</b> Léa<br><b>Sent:</b> Monday</p></div>'
        '<p class="MsoNormal">Original<o:p></o:p></p>'
    )
    assert html_to_text(html) == "Fine\n> From: Léa\n> Sent: Monday\n> Original"


def test_outlook_msonormal_paragraphs_are_single_lines():
    html = '<p class="MsoNormal">Line one</p><p class="MsoNormal">Line two</p>'
    assert html_to_text(html) == "Line one\nLine two"


def test_apple_mail_cite_blockquote_is_prefixed():
    html = '<div>Ok</div><blockquote type="cite"><div>Question?</div></blockquote>'
    assert html_to_text(html) == "Ok\n\n> Question?"


def test_pre_keeps_its_whitespace():
    assert html_to_text("<pre>a\n    b</pre>") == "a\n    b"


def test_broken_html_does_not_raise():
    assert html_to_text("<div><p>unclosed <b>bold</i></div></span>tail") == "unclosed bold\n\ntail"


def test_quotes_deeper_than_ten_are_drawn_ten_deep():
    html = "<blockquote>" * 50 + "deep"
    assert html_to_text(html) == "> " * 10 + "deep"


def test_lists_deeper_than_ten_are_indented_ten_deep():
    html = "<ul><li>" * 50 + "deep"
    assert html_to_text(html).splitlines()[-1] == "  " * 10 + "- deep"


def test_cells_of_a_table_row_are_kept_apart_by_a_tab():
    html = ("<table><tr><td>1. Usefulness</td><td>5</td></tr>"
            "<tr><td>2. Stay</td><td>Yes</td></tr></table>")
    assert html_to_text(html).splitlines()[:2] == ["1. Usefulness\t5", "2. Stay\tYes"]
