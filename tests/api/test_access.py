"""The viewer: deny by default, masks only where a mask exists, a grid scope as a prefix."""

from __future__ import annotations

import pytest

from hub.api.access import (
    AccessPolicyError,
    DataCategory,
    Grant,
    Viewer,
    full_access,
    no_access,
)


def test_nothing_is_granted_by_default() -> None:
    viewer = no_access()
    assert not any(viewer.reads(category) for category in DataCategory)
    with pytest.raises(PermissionError):
        viewer.show(DataCategory.PHONE, "13812345678")


def test_masks_apply_only_when_granted_masked() -> None:
    masked = Viewer("clerk", grants={DataCategory.RESIDENT_ID: Grant.MASKED,
                                     DataCategory.PHONE: Grant.MASKED})  # fmt: skip
    assert masked.show(DataCategory.RESIDENT_ID, "35052619560308123X") == "350526************"
    assert masked.show(DataCategory.PHONE, "13812345678") == "138****5678"
    assert masked.show(DataCategory.PHONE, None) is None
    assert full_access().show(DataCategory.PHONE, "13812345678") == "13812345678"


def test_contradictory_grants_are_refused() -> None:
    with pytest.raises(AccessPolicyError, match="no mask"):
        Viewer("x", grants={DataCategory.HEALTH: Grant.MASKED})
    with pytest.raises(AccessPolicyError, match="lineage"):
        Viewer("x", grants={DataCategory.LINEAGE: Grant.FULL, DataCategory.PHONE: Grant.MASKED})


def test_the_grid_scope_is_a_code_prefix() -> None:
    scoped = full_access(grid_scope="350526001")
    assert scoped.sees("35052600100100101")
    assert not scoped.sees("35052600200100101")
    assert not scoped.sees(None)
    assert full_access().sees(None)
