from decimal import Decimal

from .base_model import BaseModel


class Catalogue(BaseModel):
    products: "CatalogueProducts"


class CatalogueProducts(BaseModel):
    edges: list["CatalogueProductsEdges"]


class CatalogueProductsEdges(BaseModel):
    node: "CatalogueProductsEdgesNode"


class CatalogueProductsEdgesNode(BaseModel):
    sku: str
    name: str
    price: Decimal
    stock: int


Catalogue.model_rebuild()
CatalogueProducts.model_rebuild()
CatalogueProductsEdges.model_rebuild()
