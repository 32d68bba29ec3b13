"""Shop managers (issue 14): invitations, managers and their API keys.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "managers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"], ["businesses.id"], name=op.f("fk_managers_business_id_businesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_managers")),
    )
    op.create_index(op.f("ix_managers_business_id"), "managers", ["business_id"])
    op.create_table(
        "manager_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.String(length=36), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotate_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["managers.id"], name=op.f("fk_manager_keys_manager_id_managers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_manager_keys_key_hash")),
    )
    op.create_index(op.f("ix_manager_keys_manager_id"), "manager_keys", ["manager_id"])
    op.create_table(
        "manager_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manager_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_manager_invitations_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_invitations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_manager_invitations_code_hash")),
    )


def downgrade() -> None:
    op.drop_table("manager_invitations")
    op.drop_table("manager_keys")
    op.drop_table("managers")
