from tests.telegram import ChatDriver


async def test_start_shows_the_menu(learner: ChatDriver) -> None:
    await learner.say("/start")
    assert "I'm pixbot" in learner.last_text
    assert learner.live_buttons() == [
        "🎯 Take a test",
        "📊 My profile",
        "📚 Tutorials",
        "💡 A tip",
        "⚙️ Settings",
    ]
