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


def test_deleting_a_column_with_tasks_asks_where_they_go(app, login):
    alice = login("alice")
    board_id = create_board(alice)
    (todo, *_), (doing, *_), (done, *_) = columns(app, board_id)
    create_task(alice, todo, "One")
    create_task(alice, todo, "Two")
    create_task(alice, done, "Old")
    response = alice.post(f"/columns/{todo}/delete")
    assert response.status_code == 200 and "What should happen to them?" in response.get_data(True)
    assert alice.post(f"/columns/{todo}/delete", {"tasks_to": str(done)}).status_code == 302
    assert columns(app, board_id) == [
        (doing, "In Progress", []),
        (done, "Done", ["Old", "One", "Two"]),
    ]
    alice.post(f"/columns/{done}/delete", {"tasks_to": "delete"})
    assert alice.post(f"/columns/{doing}/delete").status_code == 302  # empty: no question
    assert columns(app, board_id) == []
