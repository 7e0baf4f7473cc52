from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self):
        from people import exporting, state, stream, views
        from portal.page_parts import register_page_part

        # The visitor's side of the people on a public page (blocks, their own profile,
        # their queue): /me/state.json?people=<id>,… (portal/state_parts.py).
        state.register()
        # Opted-in profiles in the static export and the sitemap (nobody else).
        exporting.register()

        # The paper page (posters) shows its authors who share a profile.
        register_page_part("paper", views.paper_authors_block)
        # The Corridor's page leads to "meet someone now".
        register_page_part("room:corridor", views.meet_entry_block)

        # Who's around: the chat's room sockets say who entered and left which room.
        from chat import signals
        from people import presence

        signals.person_entered.connect(presence.entered, dispatch_uid="people-presence-entered")
        signals.person_left.connect(presence.left, dispatch_uid="people-presence-left")

        # /live/ shows the stream's running order, now and next, and where each leads.
        register_page_part("live:stream", stream.running_order_block)
        # Authors' "My papers" shows the minimum-answer policy and their progress.
        register_page_part("my_papers", views.answer_policy_block)

        # Nobody mentions a person who blocked them.
        from chat.services.messages import refuse_mentions_with
        from people.safety import blockers_among

        refuse_mentions_with(blockers_among)
