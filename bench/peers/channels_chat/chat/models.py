from django.db import models


class ChatMessage(models.Model):
    room_id = models.IntegerField(db_index=True)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
