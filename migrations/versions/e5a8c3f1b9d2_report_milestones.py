"""report milestones: when first taken up, resolved, marked spam, filled from the audit trail
(the transparency figures read them instead of grouping report events; issue 14)

Revision ID: e5a8c3f1b9d2
Revises: e7a3b5c1f9d2
Create Date: 2026-12-02 09:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import flows.models


revision: str = 'e5a8c3f1b9d2'
down_revision: str | None = 'e7a3b5c1f9d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As flows/store/milestones.py reads the trail, frozen here: a status change to one of these is
# a take-up, as is an "acknowledged" event.
TAKEN_UP = ('acknowledged', 'in_progress', 'resolved', 'closed')


def upgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        for name in ('first_taken_up_at', 'first_resolved_at', 'first_spam_at'):
            batch_op.add_column(sa.Column(name, flows.models.UTCDateTime(), nullable=True))
    # Plain columns (no type processing): the times are copied as stored (naive UTC).
    report = sa.table(
        'report',
        sa.column('id', sa.Integer()),
        sa.column('first_taken_up_at', sa.DateTime()),
        sa.column('first_resolved_at', sa.DateTime()),
        sa.column('first_spam_at', sa.DateTime()),
    )
    event = sa.table(
        'reportevent',
        sa.column('report_id', sa.Integer()),
        sa.column('at', sa.DateTime()),
        sa.column('action', sa.String()),
        sa.column('detail', sa.JSON()),
    )
    to = event.c.detail['to'].as_string()
    status = event.c.action == 'status'

    def first(condition: sa.ColumnElement[bool]) -> sa.ScalarSelect[object]:
        return (
            sa.select(sa.func.min(event.c.at))
            .where(event.c.report_id == report.c.id, condition)
            .scalar_subquery()
        )

    op.execute(
        report.update()
        .where(
            report.c.id.in_(
                sa.select(event.c.report_id).where(event.c.action.in_(('acknowledged', 'status')))
            )
        )
        .values(
            first_taken_up_at=first(
                sa.or_(event.c.action == 'acknowledged', sa.and_(status, to.in_(TAKEN_UP)))
            ),
            first_resolved_at=first(sa.and_(status, to == 'resolved')),
            first_spam_at=first(sa.and_(status, to == 'spam')),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('first_spam_at')
        batch_op.drop_column('first_resolved_at')
        batch_op.drop_column('first_taken_up_at')
