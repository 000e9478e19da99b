import pytest

from specbase import SpecError, load_document, parse_document


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nstorage:\n  - name: [unclosed\n  - b\n")
    with pytest.raises(SpecError) as info:
        load_document(path)
    problem = info.value.problems[0]
    assert problem.file == str(path) and problem.line is not None and "YAML syntax error" in problem.message


def test_top_level_must_be_mapping():
    with pytest.raises(SpecError, match="mapping at the top level"):
        parse_document("- a\n- b\n", "list.yaml")


def test_lines_are_indexed_by_field_path():
    doc = parse_document("a: 1\nb:\n  - x: 2\n  - y: 3\n", "f.yaml")
    assert doc.lines["a"] == 1 and doc.lines["b[1].y"] == 4
    assert doc.line_of("b[1].y.deeper") == 4


def test_error_rendering_mentions_everything():
    err = SpecError.single("f.yaml", "storage[0].kind", "invalid value", line=3, allowed="a, b")
    assert str(err.problems[0]) == "f.yaml:3: storage[0].kind: invalid value (allowed: a, b)"
