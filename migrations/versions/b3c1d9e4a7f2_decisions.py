"""decisions on reports (issue 14)

Revision ID: b3c1d9e4a7f2
Revises: 723d1d1dca03
Create Date: 2026-12-02 04:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import flows.models


revision: str = 'b3c1d9e4a7f2'
down_revision: str | None = '723d1d1dca03'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('published_at', flows.models.UTCDateTime(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('action_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('created_at', flows.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_id'], ['decision.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_key')
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_published'), ['published'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_report_id'), ['report_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_report_id'))
        batch_op.drop_index(batch_op.f('ix_decision_published'))
    op.drop_table('decision')
