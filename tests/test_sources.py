"""Sources: which files are read, in what order, and how bytes become chunks of text."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from factories import make_dump, write_dump

from etl.errors import InputError
from etl.sources import InputFile, TextChunk, discover_inputs, read_chunks, read_text

A = ("Customs Union Talks Resume", "Officials met in Geneva on Monday.")


def _chunks(path: Path, chunk_bytes: int, **options: int) -> list[TextChunk]:
    return list(read_chunks(InputFile(path, path.name), chunk_bytes, **options))


def test_folders_are_searched_recursively_for_dumps_in_sorted_order(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.txt.gz", "a/z/3.txt", "c.txt", "notes.md", "d.gz", "e.TXT"):
        write_dump(tmp_path, name, b"")
    found = discover_inputs((tmp_path,))
    assert [item.source_file for item in found] == ["a/1.txt.gz", "a/z/3.txt", "b/2.txt", "c.txt"]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write_dump(tmp_path, "one.txt", b"")
    found = discover_inputs((path, tmp_path, path))
    assert [item.path for item in found] == [path]


@pytest.mark.parametrize("name", ["missing.txt", "missing-folder"])
def test_a_missing_input_is_a_clear_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        discover_inputs((tmp_path / name,))


def test_a_dangling_link_named_like_a_dump_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    found = discover_inputs((tmp_path,))
    assert [item.source_file for item in found] == ["gone.txt"]
    with pytest.raises(InputError, match=r"gone\.txt"):
        _chunks(found[0].path, 1024)


def test_chunks_end_on_line_breaks_and_know_their_place(tmp_path: Path) -> None:
    data = make_dump(A, A, A, newline="\r\n")
    chunks = _chunks(write_dump(tmp_path, "d.txt", data), 7)
    assert "".join(c.text for c in chunks) == data.decode()
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("\n")
    for chunk in chunks:
        before = data[: chunk.first_offset]
        assert before.count(b"\n") == chunk.first_line - 1
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]


def test_lone_cr_files_are_cut_between_lines_and_never_inside_a_crlf(tmp_path: Path) -> None:
    data = b"one\rtwo\r\nthree\rfour\r\n"
    for size in range(1, 8):
        chunks = _chunks(write_dump(tmp_path, "d.txt", data), size)
        assert "".join(c.text for c in chunks) == data.decode()
        for chunk in chunks:
            before = data[: chunk.first_offset]
            assert not (before.endswith(b"\r") and data[chunk.first_offset :].startswith(b"\n"))
            breaks = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n")
            assert chunk.first_line == breaks + 1


def test_bom_is_removed_and_counted_in_offsets(tmp_path: Path) -> None:
    chunks = _chunks(write_dump(tmp_path, "d.txt", make_dump(A, bom=True)), 1 << 16)
    assert chunks[0].bom_removed
    assert chunks[0].first_offset == 3
    assert chunks[0].text.startswith(A[0])


def test_invalid_utf8_is_decoded_as_cp1252_and_listed_per_line(tmp_path: Path) -> None:
    data = b"ok line\nCaf\xe9 \x93quoted\x94 \x81\nok\n"
    chunks = _chunks(write_dump(tmp_path, "d.txt", data), 1 << 16)
    assert chunks[0].text == "ok line\nCaf\u00e9 \u201cquoted\u201d \x81\nok\n"
    # Line 2: four bad bytes, each now two (é, \x81) or three (curly quotes) UTF-8 bytes.
    assert chunks[0].repairs == ((2, 1 + 2 + 2 + 1),)


def test_a_line_longer_than_the_limit_comes_in_pieces_cut_between_characters(
    tmp_path: Path,
) -> None:
    line = "\u00e9" * 5000  # two bytes each: a cut at an odd byte would split a character
    chunks = _chunks(
        write_dump(tmp_path, "d.txt", f"{line}\nend\n".encode()), 1000, max_line_bytes=3001
    )
    assert "".join(c.text for c in chunks) == f"{line}\nend\n"
    assert all(c.repairs == () for c in chunks)
    assert max(len(c.text.encode()) for c in chunks) <= 4000
    assert {c.first_line for c in chunks[:-1]} == {1}


def test_gzip_members_are_read_one_after_another(tmp_path: Path) -> None:
    path = tmp_path / "d.txt.gz"
    path.write_bytes(gzip.compress(b"first\n") + gzip.compress(b"second\n"))
    chunks = _chunks(path, 4)
    assert "".join(c.text for c in chunks) == "first\nsecond\n"
    assert chunks[-1].error is None


def test_corrupt_gzip_hands_out_what_it_could_read_then_the_error(tmp_path: Path) -> None:
    data = "".join(f"line {i} {i * 7919 % 10007}\n" for i in range(5000)).encode()
    compressed = gzip.compress(data)
    path = tmp_path / "d.txt.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    chunks = _chunks(path, 1024)
    text = "".join(c.text for c in chunks)
    assert 0 < len(text) < len(data)
    assert data.decode().startswith(text)
    assert chunks[-1].last
    assert chunks[-1].error == "compressed file ended before the end-of-stream marker"


def test_empty_inputs_give_one_empty_last_chunk(tmp_path: Path) -> None:
    for name in ("e.txt", "e.txt.gz"):
        chunks = _chunks(write_dump(tmp_path, name, b""), 1024)
        assert [(c.text, c.last, c.error) for c in chunks] == [("", True, None)]


def test_read_text_decodes_like_the_pipeline(tmp_path: Path) -> None:
    path = write_dump(tmp_path, "d.txt.gz", b"\xef\xbb\xbfCaf\xe9\n")
    assert read_text(path) == "Caf\u00e9\n"
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(InputError, match="not gzip data"):
        read_text(broken)
