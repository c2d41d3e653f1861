"""The handler's calls, read through boto3's and botocore's models (`checker.rules.handler_calls`)."""

from __future__ import annotations

import textwrap

import pytest

from checker.rules.handler_calls import Need, Needs, handler_needs
from checker.rules.handler_reader import read_calls

pytestmark = pytest.mark.fast


def needs(source: str) -> Needs:
    found = handler_needs(textwrap.dedent(source))
    assert found is not None
    return found


def pairs(source: str) -> set[tuple[str, str, str | None]]:
    return {(n.action, n.resource, n.index) for n in needs(source).needs}


def test_not_python_is_none() -> None:
    assert handler_needs("def (:") is None


def test_resource_table_and_client_calls() -> None:
    assert pairs(
        """
        import boto3
        TABLE = boto3.resource("dynamodb").Table("t")
        CLIENT = boto3.client("dynamodb")

        def handler(event, context):
            TABLE.put_item(Item={})
            CLIENT.get_item(TableName="t", Key={})
        """
    ) == {("dynamodb:PutItem", "table", None), ("dynamodb:GetItem", "table", None)}


def test_another_services_client_is_never_dynamodb() -> None:
    found = needs(
        """
        import boto3
        ts = boto3.client("timestream-query")
        s3 = boto3.resource("s3")

        def handler(event, context):
            ts.query(QueryString="SELECT 1")
            s3.Bucket("b").delete_objects(Delete={})
            event.query("not boto3 at all")
        """
    )
    assert found.needs == () and found.unread == ()


def test_sessions_aliases_and_from_imports() -> None:
    assert pairs(
        """
        from boto3 import client as make
        from boto3.session import Session
        import boto3 as b

        one = make("dynamodb")
        two = Session(region_name="eu-west-1").client("dynamodb")
        three = b.session.Session().resource("dynamodb")

        def handler(event, context):
            one.delete_item(TableName="t", Key={})
            two.batch_get_item(RequestItems={})
            three.Table("t").scan()
        """
    ) == {
        ("dynamodb:DeleteItem", "table", None),
        ("dynamodb:BatchGetItem", "table", None),
        ("dynamodb:Scan", "table", None),
    }


def test_objects_flow_through_returns_parameters_attributes_and_dicts() -> None:
    assert pairs(
        """
        import boto3

        def _table():
            return boto3.resource("dynamodb").Table("t")

        def _put(table, item):
            table.put_item(Item=item)

        def _get(table, key):
            return table.get_item(Key=key)

        class Repo:
            def __init__(self):
                self.table = _table()

            def touch(self):
                self.table.update_item(Key={})

        def handler(event, context):
            table = _table()
            actions = {"put": _put, "get": _get}
            actions[event["action"]](table, {})
        """
    ) == {
        ("dynamodb:PutItem", "table", None),
        ("dynamodb:GetItem", "table", None),
        ("dynamodb:UpdateItem", "table", None),
    }


def test_meta_client_paginators_and_waiters() -> None:
    assert pairs(
        """
        import boto3
        table = boto3.resource("dynamodb").Table("t")

        def handler(event, context):
            client = table.meta.client
            for page in client.get_paginator("scan").paginate(TableName="t"):
                pass
            client.get_waiter("table_exists").wait(TableName="t")
        """
    ) == {("dynamodb:Scan", "table", None), ("dynamodb:DescribeTable", "table", None)}


def test_batch_writer_is_batch_write_item_only() -> None:
    assert pairs(
        """
        import boto3
        table = boto3.resource("dynamodb").Table("t")

        def handler(event, context):
            with table.batch_writer() as batch:
                batch.put_item(Item={})
                batch.delete_item(Key={})
        """
    ) == {("dynamodb:BatchWriteItem", "table", None)}


def test_lazy_table_attributes_load_with_describe_table() -> None:
    assert pairs(
        """
        import boto3
        table = boto3.resource("dynamodb").Table("t")

        def handler(event, context):
            return table.item_count
        """
    ) == {("dynamodb:DescribeTable", "table", None)}


def test_transactions_need_the_action_of_each_item() -> None:
    assert pairs(
        """
        import boto3
        c = boto3.client("dynamodb")

        def handler(event, context):
            c.transact_write_items(TransactItems=[
                {"Put": {}}, {"Update": {}}, {"Delete": {}}, {"ConditionCheck": {}},
            ])
            c.transact_get_items(TransactItems=[{"Get": {}}])
        """
    ) == {
        ("dynamodb:PutItem", "table", None),
        ("dynamodb:UpdateItem", "table", None),
        ("dynamodb:DeleteItem", "table", None),
        ("dynamodb:ConditionCheckItem", "table", None),
        ("dynamodb:GetItem", "table", None),
    }


def test_transaction_items_built_at_run_time_are_unread() -> None:
    found = needs(
        """
        import boto3
        c = boto3.client("dynamodb")

        def handler(event, context):
            c.transact_write_items(TransactItems=event["items"])
        """
    )
    assert found.needs == ()
    assert [u.why for u in found.unread] == ["its TransactItems are built at run time"]


def test_partiql_actions_come_from_the_statement() -> None:
    assert pairs(
        """
        import boto3
        c = boto3.client("dynamodb")

        def handler(event, context):
            c.execute_statement(Statement='SELECT * FROM "t"."by-date" WHERE pk = ?')
            c.execute_statement(Statement=f"UPDATE \\"{event['t']}\\" SET a = 1 WHERE pk = ?")
            c.batch_execute_statement(Statements=[{"Statement": "DELETE FROM t WHERE pk = ?"}])
            c.execute_transaction(TransactStatements=[{"Statement": "INSERT INTO t VALUE {'pk': ?}"}])
        """
    ) == {
        ("dynamodb:PartiQLSelect", "index", "by-date"),
        ("dynamodb:PartiQLUpdate", "table", None),
        ("dynamodb:PartiQLDelete", "table", None),
        ("dynamodb:PartiQLInsert", "table", None),
    }


def test_a_statement_not_written_out_is_unread() -> None:
    found = needs(
        """
        import boto3
        c = boto3.client("dynamodb")

        def handler(event, context):
            c.execute_statement(Statement=event["sql"])
        """
    )
    assert found.needs == () and found.unread[0].why.startswith("its PartiQL statement")


def test_a_query_on_an_index_needs_the_index() -> None:
    assert pairs(
        """
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        client = boto3.client("dynamodb")

        def handler(event, context):
            table.query(IndexName="by-date", KeyConditionExpression="x")
            table.scan(IndexName=event["index"])
            client.get_paginator("query").paginate(TableName="t", IndexName="gsi1")
        """
    ) == {
        ("dynamodb:Query", "index", "by-date"),
        ("dynamodb:Scan", "index", None),
        ("dynamodb:Query", "index", "gsi1"),
    }


def test_list_tables_is_authorized_on_star() -> None:
    assert pairs(
        """
        import boto3

        def handler(event, context):
            boto3.client("dynamodb").list_tables()
            list(boto3.resource("dynamodb").tables.all())
        """
    ) == {("dynamodb:ListTables", "*", None)}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('getattr(table, event["verb"] + "_item")(Key={})', "the method is named at run time"),
        ('boto3.client(event["service"]).put_item(Item={})', "its service is named at run time"),
        ("unknown_object.update_item(Key={})", "the object it is called on is not traced"),
    ],
)
def test_what_cannot_be_read_is_named(body: str, why: str) -> None:
    found = needs(
        f"""
        import boto3
        table = boto3.resource("dynamodb").Table("t")

        def handler(event, context):
            {body}
        """
    )
    assert found.unread and found.unread[0].why.startswith(why)
    assert found.unread[0].where.startswith("line 6 ")


def test_an_untraced_method_is_not_doubted_without_dynamodb_in_the_module() -> None:
    found = needs(
        """
        def handler(event, context, db):
            db.query("SELECT 1")
        """
    )
    assert found == Needs((), ())


def test_calls_carry_service_and_operation() -> None:
    calls = read_calls("import boto3\nboto3.client('sqs').send_message(QueueUrl='q')\n")
    assert calls is not None
    assert [(c.service, c.operation, c.line) for c in calls] == [("sqs", "SendMessage", 2)]


def test_need_is_hashable_and_named() -> None:
    need = Need("dynamodb:Query", "index", "gsi", "line 3 table.query")
    assert {need: 1}[need] == 1


def test_a_module_too_deep_to_read_is_unread_not_a_crash() -> None:
    source = "import boto3\nt = boto3.client('dynamodb')\nx = t" + ".a" * 5000 + "\n"
    try:
        found = handler_needs(source)
    except RecursionError:
        pytest.fail("a deep attribute chain crashed the reader")
    assert found is None or found.unread or found.needs == ()
