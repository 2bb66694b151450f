"""A student's flag (their name and words) reaches their own instructors only, even on a
seed question every instructor shares."""

from __future__ import annotations


def test_a_flag_on_a_shared_question_is_seen_by_the_students_instructors_only(client,
                                                                              api_token):
    mine = api_token("mine", "instructor")
    other = api_token("other", "instructor")
    student = api_token("flagger")
    course = client.post("/api/v1/classes", json={"name": "C"}, headers=mine).get_json()
    client.post("/api/v1/enrollments", json={"join_code": course["join_code"]},
                headers=student)
    question = client.post("/api/v1/attempts", json={"count": 1, "seed": 3},
                           headers=student).get_json()["questions"][0]["id"]
    flagged = client.post(f"/api/v1/questions/{question}/flags", headers=student,
                          json={"comment": "Secret-ish remark"})
    assert flagged.status_code in (200, 201)

    def seen(headers, login):
        api = client.get(f"/api/v1/questions/{question}", headers=headers).get_json()
        client.post("/login", data={"username": login, "password": "correct horse battery"})
        page = client.get(f"/teach/questions/{question}").get_data(as_text=True)
        queue = client.get("/teach/questions?flagged=1").get_data(as_text=True)
        client.post("/logout")
        return [f["username"] for f in api["flags"]], "Secret-ish remark" in page, \
            "review-item flagged" in queue

    assert seen(mine, "mine") == (["flagger"], True, True)
    names, comment_shown, listed_as_flagged = seen(other, "other")
    assert names == [] and not comment_shown and not listed_as_flagged
