from datetime import datetime
from decimal import Decimal
from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import OrderStatus, Role


class ChangePasswordInput(BaseModel):
    current_password: str = Field(alias="currentPassword")
    new_password: str = Field(alias="newPassword")


class CreatePostInput(BaseModel):
    """The author is the signed-in user."""

    title: str
    content: str
    tags: list[str] = Field(default_factory=lambda: [])
    published: bool = False
    "Publish at once."


class CreateProductInput(BaseModel):
    sku: str
    "Letters, digits, '-' and '_'; stored upper-case."
    name: str
    category: str
    "Stored lower-case."
    price: Decimal
    "Non-negative, at most 2 decimal places."
    stock: int = 0


class GrantCreditsInput(BaseModel):
    user_id: str = Field(alias="userId")
    amount: int


class LoginInput(BaseModel):
    username: str
    "The username (in any case or look-alike spelling), or the email address."
    password: str


class OrderFilter(BaseModel):
    """Which orders to list. All conditions must hold."""

    status: Optional[OrderStatus] = None
    user_id: Optional[str] = Field(alias="userId", default=None)
    created_after: Optional[datetime] = Field(alias="createdAfter", default=None)
    created_before: Optional[datetime] = Field(alias="createdBefore", default=None)


class OrderItemInput(BaseModel):
    sku: str
    quantity: int
    "At least 1."


class PlaceOrderInput(BaseModel):
    """The buyer is the signed-in user."""

    items: list["OrderItemInput"]
    "Lines with the same sku are merged. Prices are the catalogue's at checkout."


class PostFilter(BaseModel):
    """Which posts to list. All conditions must hold."""

    published: bool = True
    "false lists drafts: your own (with your `authorId`), or anyone's for admins."
    author_id: Optional[str] = Field(alias="authorId", default=None)
    tag: Optional[str] = None
    search: Optional[str] = None
    "Words that must all appear in the title or content."


class ProductFilter(BaseModel):
    """Which products to list. All conditions must hold."""

    category: Optional[str] = None
    min_price: Optional[Decimal] = Field(alias="minPrice", default=None)
    max_price: Optional[Decimal] = Field(alias="maxPrice", default=None)
    in_stock: Optional[bool] = Field(alias="inStock", default=None)
    "true: stock above 0; false: sold out."


class SignUpInput(BaseModel):
    username: str
    "3-50 letters, digits, '_', '.' or '-'. Unique ignoring case and Unicode look-alikes (NFKC): `Admin` or a fullwidth `admin` are taken once `admin` is."
    email: str
    "Stored lower-case; unique."
    password: str
    "8-256 characters; stored as an Argon2 hash."


class TransferCreditsInput(BaseModel):
    """Credits leave the signed-in user's account."""

    to_user_id: str = Field(alias="toUserId")
    amount: int
    "Positive whole credits."


class UpdatePostInput(BaseModel):
    """Only the fields given are changed."""

    title: Optional[str] = None
    content: Optional[str] = None
    tags: Optional[list[str]] = None


class UpdateProductInput(BaseModel):
    """Only the fields given are changed."""

    name: Optional[str] = None
    category: Optional[str] = None
    price: Optional[Decimal] = None
    stock: Optional[int] = None


class UpdateProfileInput(BaseModel):
    """Only the fields given are changed."""

    username: Optional[str] = None
    email: Optional[str] = None


class UserFilter(BaseModel):
    """Which users to list. All conditions must hold."""

    is_active: bool = Field(alias="isActive", default=True)
    "Deactivated users are listed with `false`."
    role: Optional[Role] = None
    created_after: Optional[datetime] = Field(alias="createdAfter", default=None)
    created_before: Optional[datetime] = Field(alias="createdBefore", default=None)


PlaceOrderInput.model_rebuild()
