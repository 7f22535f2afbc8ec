from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class NewPosts(BaseModel):
    post_published: "NewPostsPostPublished" = Field(alias="postPublished")


class NewPostsPostPublished(BaseModel):
    id: str
    title: str
    author: Optional["NewPostsPostPublishedAuthor"]


class NewPostsPostPublishedAuthor(BaseModel):
    username: str


NewPosts.model_rebuild()
NewPostsPostPublished.model_rebuild()
