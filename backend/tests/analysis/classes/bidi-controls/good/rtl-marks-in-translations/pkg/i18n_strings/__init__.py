from .messages import MESSAGES
