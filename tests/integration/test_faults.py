"""Nothing lost, nothing sent twice: kill -9, an IMAP restart, SMTP outages and errors."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter

from tests.integration.program import (
    DaemonProcess,
    inbound_states,
    outbox_states,
    stranger_mail,
    wait_until,
)

COORDINATOR = "claire.dubois@northlake.example.org"


def per_recipient(smtp_server) -> Counter:
    return Counter(r for m in smtp_server.messages for r in m.rcpt_tos)


def test_sigkill_in_a_stream_of_200_processes_every_message_once(
        program_dir, dovecot, smtp_server, capsys):
    total = 200
    feeder = threading.Thread(target=lambda: [
        (dovecot.append(stranger_mail(i)), time.sleep(0.005)) for i in range(total)])
    daemon = DaemonProcess(program_dir, dovecot.password)
    daemon.start()
    feeder.start()
    for kill_at in (40, 110):
        wait_until(lambda n=kill_at: len(smtp_server.messages) >= n, 60, f"{kill_at} answers",
                   daemon.log_text)
        daemon.kill()
        daemon.start()
    feeder.join()

    def settled() -> bool:
        states = outbox_states(program_dir, kind="reply")
        return (inbound_states(program_dir).get("processed") == total
                and len(states) == total and "pending" not in states.values())
    wait_until(settled, 90, "all 200 handled", daemon.log_text)
    unknown = [i for i, s in outbox_states(program_dir, kind="reply").items() if s == "unknown"]
    # Each mail in doubt is reported to the coordinator, once.
    wait_until(lambda: per_recipient(smtp_server)[COORDINATOR] == len(unknown), 30,
               "the mail in doubt reported", daemon.log_text)
    daemon.terminate()
    counts = per_recipient(smtp_server)
    assert counts.pop(COORDINATOR, 0) == len(unknown)
    states = outbox_states(program_dir, kind="reply")
    assert max(counts.values()) == 1, "someone was mailed twice"
    # A mail in doubt ('unknown': killed during its handover) may or may not have
    # arrived; every other one arrived exactly once. At most one in doubt per kill.
    assert len(unknown) <= 2
    assert total - len(counts) <= len(unknown)
    assert list(states.values()).count("sent") + len(unknown) == total
    with capsys.disabled():
        print(f"\n  kill -9 twice in 200: {len(counts)} answered once, "
              f"{len(unknown)} in doubt (unknown), 0 twice")


def test_dovecot_restart_under_the_daemon_loses_nothing(daemon, dovecot, smtp_server):
    for i in range(3):
        dovecot.append(stranger_mail(i))
    smtp_server.wait_for(3, timeout=20)
    dovecot.restart()
    for i in range(3, 6):
        dovecot.append(stranger_mail(i))
    smtp_server.wait_for(6, timeout=60)
    time.sleep(0.5)
    assert per_recipient(smtp_server) == Counter({f"person{i}@example.com": 1 for i in range(6)})


def test_smtp_outage_delays_mail_and_loses_none(daemon, program_dir, dovecot, smtp_server):
    smtp_server.stop()
    for i in range(5):
        dovecot.append(stranger_mail(i))
    wait_until(lambda: inbound_states(program_dir).get("processed") == 5, 20,
               "the messages handled while SMTP is down", daemon.log_text)
    time.sleep(1.5)
    assert len(smtp_server.messages) == 0
    smtp_server.start()
    smtp_server.wait_for(5, timeout=30)
    time.sleep(0.5)
    assert per_recipient(smtp_server) == Counter({f"person{i}@example.com": 1 for i in range(5)})


def test_temporary_rejection_is_retried(daemon, dovecot, smtp_server):
    smtp_server.fail_next(2, code=451)
    dovecot.append(stranger_mail(1))
    [message] = smtp_server.wait_for(1, timeout=30)
    assert message.rcpt_tos == ["person1@example.com"]


def test_permanent_rejection_fails_and_tells_the_coordinator_once(
        daemon, program_dir, dovecot, smtp_server):
    smtp_server.fail_recipient("person1@example.com", 550)
    dovecot.append(stranger_mail(1))
    [notice] = smtp_server.wait_for(1, timeout=30)
    assert notice.rcpt_tos == [COORDINATOR]
    assert "could not be delivered" in notice.subject
    time.sleep(1.0)
    assert len(smtp_server.messages) == 1
    assert sorted(outbox_states(program_dir).values()) == ["failed", "sent"]


def test_timeout_after_data_is_unknown_and_never_resent(daemon, program_dir, dovecot,
                                                        smtp_server):
    smtp_server.hang_next()
    dovecot.append(stranger_mail(1))
    wait_until(lambda: "unknown" in outbox_states(program_dir).values(), 30,
               "the unknown state", daemon.log_text)
    smtp_server.release_hung()
    wait_until(lambda: any(m.rcpt_tos == [COORDINATOR] for m in smtp_server.messages), 30,
               "the notice to the coordinator", daemon.log_text)
    notice = next(m for m in smtp_server.messages if m.rcpt_tos == [COORDINATOR])
    assert "unknown" in notice.text()
    time.sleep(1.5)
    assert per_recipient(smtp_server)["person1@example.com"] <= 1


def test_uidvalidity_change_does_not_rerun_rules(daemon, dovecot, smtp_server, program_dir):
    for i in range(3):
        dovecot.append(stranger_mail(i))
    smtp_server.wait_for(3, timeout=20)
    daemon.terminate()
    dovecot.stop()
    (dovecot.maildir / "dovecot-uidlist").unlink()
    dovecot.start()
    dovecot.append(stranger_mail(3))
    daemon.start()
    smtp_server.wait_for(4, timeout=30)
    # Handled mail carries our keyword and is not fetched again; anything re-read without
    # it is known by its Message-ID and recorded as a duplicate. Either way: not acted on.
    wait_until(lambda: inbound_states(program_dir).get("processed") == 4, 20,
               "the new message handled", daemon.log_text)
    time.sleep(1)
    assert inbound_states(program_dir).get("duplicate", 0) in (0, 3)
    assert per_recipient(smtp_server) == Counter({f"person{i}@example.com": 1 for i in range(4)})


def test_a_second_daemon_on_the_same_program_refuses_to_start(daemon, program_dir, dovecot,
                                                               smtp_server):
    dovecot.append(stranger_mail(1))
    smtp_server.wait_for(1, timeout=20)
    second = subprocess.run([sys.executable, "-m", "mailflow", "-C", str(program_dir), "run"],
                            env=daemon.env, capture_output=True, text=True, timeout=30)
    assert second.returncode == 2
    assert "another mailflow process" in second.stderr
    assert "Traceback" not in second.stderr


def test_mail_left_sending_by_a_kill_is_reported_to_the_coordinator_after_restart(
        program_dir, dovecot, smtp_server):
    smtp_server.hang_next()
    daemon = DaemonProcess(program_dir, dovecot.password)
    daemon.start()
    dovecot.append(stranger_mail(1))
    # Killed only once the server holds the message: killed before its DATA arrived, the
    # hang would be left for the next mail (the notice itself).
    wait_until(lambda: "sending" in outbox_states(program_dir).values()
               and any(r.code == 0 for r in smtp_server.rejections), 30,
               "the mail being handed over", daemon.log_text)
    daemon.kill()
    daemon.start()
    wait_until(lambda: any(m.rcpt_tos == [COORDINATOR] for m in smtp_server.messages), 30,
               "the notice to the coordinator", daemon.log_text)
    assert daemon.terminate() == 0, daemon.log_text()

    [notice] = [m for m in smtp_server.messages if m.rcpt_tos == [COORDINATOR]]
    assert "unknown" in notice.text()
    assert "person1@example.com" in notice.text()
