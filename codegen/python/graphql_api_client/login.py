from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class Login(BaseModel):
    login: "LoginLogin"


class LoginLogin(BaseModel):
    token: str
    expires_at: datetime = Field(alias="expiresAt")
    user: Optional["LoginLoginUser"]


class LoginLoginUser(BaseModel):
    id: str
    username: str


Login.model_rebuild()
LoginLogin.model_rebuild()
