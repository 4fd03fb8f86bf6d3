"""The demo history: tweets become requests as their authors wrote them."""

from infra.demo import _task


def tweet(text: str) -> dict[str, str]:
    return {
        "text": text,
        "name": "jo smith",
        "tweet_created": "24-02-2015 11:35",
        "negativereason": "Late Flight",
        "airline": "United",
    }


def test_a_tweet_becomes_a_request_with_its_html_entities_decoded() -> None:
    task = _task(tweet("@united 2 hrs &amp; counting &gt;:( http://t.co/x"))
    assert task["text"] == "@united 2 hrs & counting >:( http://t.co/x"
    assert task["account_id"] == "jo_smith"
    assert (task["category"], task["product"]) == ("Late Flight", "United")
    assert task["created_at"] == "2015-02-24T11:35:00+00:00"


def test_the_same_tweet_always_gets_the_same_external_id() -> None:
    first, again = _task(tweet("late again &amp; again")), _task(tweet("late again &amp; again"))
    assert first["external_id"] == again["external_id"]
    assert first["external_id"] != _task(tweet("late again"))["external_id"]
