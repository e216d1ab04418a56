"""model_job: the queue of model work for the worker process (issue 15)

Revision ID: e7a3b5c1f9d2
Revises: d4f7a2c9e1b5
Create Date: 2026-12-02 08:52:55.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import flows.models


revision: str = 'e7a3b5c1f9d2'
down_revision: str | None = 'd4f7a2c9e1b5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('model_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('payload_enc', sa.Text(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('inbound_id', sa.Integer(), nullable=True),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lease_until', flows.models.UTCDateTime(), nullable=True),
    sa.Column('result', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', flows.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', flows.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('model_job', schema=None) as batch_op:
        batch_op.create_index('ix_model_job_claim', ['state', 'priority', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_model_job_contact_id'), ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('model_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_job_contact_id'))
        batch_op.drop_index('ix_model_job_claim')
    op.drop_table('model_job')
