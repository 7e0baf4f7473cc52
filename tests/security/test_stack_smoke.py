import urllib.request

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_the_stack_serves_the_home_page_through_nginx(production):
    stack = production(roles=("web", "nginx"))
    with urllib.request.urlopen(stack.url + "/") as response:  # noqa: S310
        assert response.status == 200
