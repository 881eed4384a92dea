"""The journal of printed job ids: durable appends, compaction, and crash leftovers."""

from printagent.journal import Journal


def test_ids_survive_reopening(tmp_path):
    path = tmp_path / "state" / "journal"
    journal = Journal(path)
    journal.record(7)
    journal.record(8)
    journal.close()

    reopened = Journal(path)
    assert 7 in reopened
    assert 8 in reopened
    assert 9 not in reopened
    assert path.read_text() == "7\n8\n"


def test_compaction_keeps_the_last_ids_and_bounds_the_file(tmp_path):
    path = tmp_path / "journal"
    journal = Journal(path, keep=5)
    for job_id in range(1, 24):
        journal.record(job_id)

    lines = path.read_text().splitlines()
    assert len(lines) < 10
    assert [int(line) for line in lines][-5:] == [19, 20, 21, 22, 23]
    assert all(job_id in journal for job_id in range(19, 24))
    assert 18 not in journal
    assert not (tmp_path / "journal.tmp").exists()
    journal.close()

    reopened = Journal(path, keep=5)
    assert all(job_id in reopened for job_id in range(19, 24))
    assert 1 not in reopened


def test_a_line_cut_short_by_a_crash_is_not_an_id(tmp_path):
    path = tmp_path / "journal"
    path.write_bytes(b"1\n2\n12")  # "123\n" was being appended when the power went

    journal = Journal(path)
    assert 1 in journal
    assert 2 in journal
    assert 12 not in journal
    journal.record(123)
    journal.close()

    reopened = Journal(path)
    assert 123 in reopened
    assert 12 not in reopened
