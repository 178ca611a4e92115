import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from chat.models import ChatMessage


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = f"room-{self.scope['url_route']['kwargs']['room_id']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        content = str(json.loads(text_data).get("content", "")).strip()
        if content:
            html = await self.save_and_render(content)
            await self.channel_layer.group_send(self.group, {"type": "chat.message", "html": html})

    @database_sync_to_async
    def save_and_render(self, content):
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        message = ChatMessage.objects.create(room_id=room_id, content=content)
        return render_to_string("chat/message.html", {"message": message})

    async def chat_message(self, event):
        await self.send(text_data=event["html"])
