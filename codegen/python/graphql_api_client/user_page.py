from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class UserPage(BaseModel):
    user: Optional["UserPageUser"]


class UserPageUser(BaseModel):
    id: str
    username: str
    created_at: datetime = Field(alias="createdAt")
    email: Optional[str]
    credits: Optional[int]
    posts: "UserPageUserPosts"


class UserPageUserPosts(BaseModel):
    total_count: int = Field(alias="totalCount")
    edges: list["UserPageUserPostsEdges"]


class UserPageUserPostsEdges(BaseModel):
    node: "UserPageUserPostsEdgesNode"


class UserPageUserPostsEdgesNode(BaseModel):
    id: str
    title: str
    published_at: Optional[datetime] = Field(alias="publishedAt")


UserPage.model_rebuild()
UserPageUser.model_rebuild()
UserPageUserPosts.model_rebuild()
UserPageUserPostsEdges.model_rebuild()
