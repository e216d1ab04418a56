"""report.created_at index: the transparency figures read only the published months (issue 14)

Revision ID: d4f7a2c9e1b5
Revises: b3c1d9e4a7f2
Create Date: 2026-12-02 06:12:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = 'd4f7a2c9e1b5'
down_revision: str | None = 'b3c1d9e4a7f2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_created_at'))
