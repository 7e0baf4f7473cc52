"""/api/v1/ for the chat: room history by id cursor, posting when the socket is down, reports."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import history, rooms, services
from chat.listing import room_page
from chat.models import Report
from chat.services.errors import ChatError

HTTP_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def refusal(error, client_id=None):
    response = Response(error.as_frame(client_id), status=HTTP_STATUS[error.code])
    if error.retry_after is not None:
        response["Retry-After"] = str(int(error.retry_after))
    return response


def room_or_404(key, user):
    room = rooms.find_room_for(key, user)
    if room is None:
        raise Http404("No such room.")
    return room


def cursor(request, name):
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 18:
        raise serializers.ValidationError({name: "A message id (a whole number)."})
    return int(value)


class PostSerializer(serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)
    client_id = serializers.CharField(max_length=64)
    reply_to = serializers.IntegerField(required=False, allow_null=True)


class RoomMessagesView(APIView):
    """GET: a page of a room's visible messages in id order. POST: post one (registered attendees)."""

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Messages with a larger id (catching up)."),
            OpenApiParameter("before", int, description="The page just before this id (older history)."),
        ],
        responses={200: dict},
    )
    def get(self, request, key):
        room = room_or_404(key, request.user)
        after, before = cursor(request, "after"), cursor(request, "before")
        base = request.build_absolute_uri(request.path)
        if after is not None:
            messages, more = history.page_after(room, after)
            following = f"{base}?after={messages[-1].pk}" if more else None
        elif before is not None:
            messages, more = history.page_before(room, before)
            following = f"{base}?before={messages[0].pk}" if more else None
        else:
            messages = history.latest(room, history.PAGE_SIZE + 1)
            more = len(messages) > history.PAGE_SIZE
            messages = messages[1:] if more else messages
            following = f"{base}?before={messages[0].pk}" if more else None
        return Response({"results": [history.message_json(m, room.key) for m in messages], "next": following})

    @extend_schema(request=PostSerializer, responses={201: dict})
    def post(self, request, key):
        room = room_or_404(key, request.user)
        serializer = PostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            message = services.post_message(
                room=room,
                author=request.user,
                body=data["body"],
                client_id=data["client_id"],
                reply_to=data.get("reply_to"),
            )
        except ChatError as error:
            return refusal(error, data["client_id"])
        body = {"type": "message.ack", "action": "post", "client_id": data["client_id"], "id": message.pk}
        return Response(body, status=status.HTTP_201_CREATED)


class ReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    detail = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class MessageReportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReportSerializer, responses={201: dict})
    def post(self, request, message_id):
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.report_message(
                user=request.user,
                message_id=message_id,
                reason=serializer.validated_data["reason"],
                detail=serializer.validated_data.get("detail", ""),
            )
        except ChatError as error:
            return refusal(error)
        return Response({"type": "message.ack", "action": "report", "id": report.message_id}, status=201)


class RoomListView(APIView):
    """Rooms by recent activity (or ?sort=busy: most messages in the last hour), ?q= searches."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str),
            OpenApiParameter("kind", str),
            OpenApiParameter("sort", str, enum=["active", "busy"]),
            OpenApiParameter("page", int),
        ],
        responses={200: dict},
    )
    def get(self, request):
        page, present = room_page(request.query_params)
        results = [
            {
                "key": room.key,
                "kind": room.kind,
                "title": room.title,
                "present": present[room.key],
                "messages": room.message_count,
                "last_message_at": history.iso(room.last_message_at),
                "url": f"/rooms/{room.key}/",
            }
            for room in page
        ]
        return Response({"results": results, "count": page.paginator.count, "pages": page.paginator.num_pages})
