from .helpers import columns, create_board, create_task


def test_add_rename_and_reorder_columns(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    assert alice.post(f"/boards/{board_id}/columns", {"name": "Review"}).status_code == 302
    response = alice.post(f"/boards/{board_id}/columns", {"name": ""}, htmx=True)
    assert response.status_code == 422 and "This field is required" in response.get_data(True)
    review = columns(app, board_id)[3][0]
    alice.post(f"/columns/{review}/rename", {f"column-{review}-name": "QA"})
    alice.post(f"/columns/{review}/move", {"direction": "left"})
    assert [n for _, n, _ in columns(app, board_id)] == ["To Do", "In Progress", "QA", "Done"]
    response = alice.post(
        f"/columns/{review}/rename", {f"column-{review}-name": "x" * 51}, htmx=True
    )
    assert response.status_code == 422 and "longer than 50" in response.get_data(True)
    assert alice.post(f"/columns/{review}/move", {"direction": "up"}).status_code == 400


def test_archiving_a_column_takes_its_tasks_and_restoring_brings_them_back(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    (todo, *_), (doing, *_), (done, *_) = columns(app, board_id)
    create_task(alice, todo, "One")
    create_task(alice, todo, "Two")
    create_task(alice, done, "Old")
    response = alice.get(f"/columns/{todo}/delete")  # its old URL: the confirmation
    assert "Archive the column" in response.get_data(True) and "2 tasks" in response.get_data(True)
    assert alice.post(f"/columns/{todo}/archive").status_code == 302
    assert columns(app, board_id) == [(doing, "In Progress", []), (done, "Done", ["Old"])]
    archived = alice.get(f"/boards/{board_id}/archived").get_data(True)
    assert "To Do" in archived and f"/columns/{todo}/restore" in archived
    assert alice.post(f"/columns/{todo}/archive").status_code == 409  # already
    assert alice.post(f"/columns/{todo}/restore").status_code == 302  # at the right end
    assert columns(app, board_id) == [
        (doing, "In Progress", []),
        (done, "Done", ["Old"]),
        (todo, "To Do", ["One", "Two"]),
    ]
