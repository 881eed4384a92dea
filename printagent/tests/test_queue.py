"""The job queue: lowest id first, and a job waiting or in hand is not queued twice."""

from printagent.agent import Job, JobQueue


def job(job_id):
    return Job(id=job_id, kind="order", data=b"")


def test_jobs_come_out_by_id_whatever_order_they_went_in():
    queue = JobQueue()
    for job_id in (3, 1, 2):
        assert queue.put(job(job_id))

    taken = []
    while (next_job := queue.take(timeout=0)) is not None:
        taken.append(next_job.id)
        queue.done()
    assert taken == [1, 2, 3]


def test_a_job_waiting_or_in_hand_is_not_queued_again():
    queue = JobQueue()
    assert queue.put(job(1))
    assert queue.put(job(2))
    assert not queue.put(job(2))

    assert queue.take(timeout=0).id == 1
    assert not queue.put(job(1))  # in hand: being printed
    queue.done()
    assert queue.put(job(1))  # handled: it may come again (the journal then answers for it)
