"""The map's static layer files: one file per content, the newest kept within a count and a byte
budget, a file another session pruned written again."""
from __future__ import annotations

import os
import time

import pytest

from components import layers


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(layers, "FOLDER", tmp_path / "layers")
    return tmp_path / "layers"


def files(folder) -> set[str]:
    return {p.name for p in folder.glob("*.json")}


def test_the_same_layer_is_one_file_at_one_url(folder):
    first = layers.publish("places", {"places": [[1, 2]]})
    assert layers.publish("places", {"places": [[1, 2]]}) == first
    assert files(folder) == {first.rsplit("/", 1)[1]}
    assert layers.path_of(first).read_text() == '{"places":[[1,2]]}'


def test_the_newest_files_are_kept_within_the_count_and_the_byte_budget(folder, monkeypatch):
    monkeypatch.setattr(layers, "KEEP", 3)
    urls, then = [], time.time() - 100
    for n in range(5):
        urls.append(layers.publish("places", {"n": n, "pad": "x" * 1000}))
        os.utime(layers.path_of(urls[-1]), (then + n, then + n))  # distinct times, in order, all past
    assert files(folder) == {u.rsplit("/", 1)[1] for u in urls[-3:]}
    monkeypatch.setattr(layers, "BUDGET", 2500)  # two of these files
    urls.append(layers.publish("places", {"n": 5, "pad": "x" * 1000}))
    assert files(folder) == {u.rsplit("/", 1)[1] for u in urls[-2:]}  # pruned as it was written


def test_a_huge_layer_is_kept_while_it_is_the_newest(folder, monkeypatch):
    monkeypatch.setattr(layers, "BUDGET", 10)
    url = layers.publish("places", {"pad": "x" * 1000})
    assert layers.path_of(url).exists()


def test_a_file_pruned_by_another_session_is_written_again(folder):
    url = layers.publish("labels", {"towns": ["Idlib"]})
    layers.path_of(url).unlink()  # another server sharing the folder pruned it
    assert layers.publish("labels", {"towns": ["Idlib"]}) == url
    assert layers.path_of(url).exists()
