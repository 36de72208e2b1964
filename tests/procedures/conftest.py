import pytest

from tests.factories import ParquetFactory


@pytest.fixture
def parquet(db):
    return ParquetFactory(name="Parquet de Valenciennes")
