from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class Feed(BaseModel):
    posts: "FeedPosts"


class FeedPosts(BaseModel):
    edges: list["FeedPostsEdges"]
    page_info: "FeedPostsPageInfo" = Field(alias="pageInfo")


class FeedPostsEdges(BaseModel):
    cursor: str
    node: "FeedPostsEdgesNode"


class FeedPostsEdgesNode(BaseModel):
    id: str
    title: str
    tags: list[str]
    published_at: Optional[datetime] = Field(alias="publishedAt")
    author: Optional["FeedPostsEdgesNodeAuthor"]


class FeedPostsEdgesNodeAuthor(BaseModel):
    id: str
    username: str


class FeedPostsPageInfo(BaseModel):
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(alias="endCursor")


Feed.model_rebuild()
FeedPosts.model_rebuild()
FeedPostsEdges.model_rebuild()
FeedPostsEdgesNode.model_rebuild()
