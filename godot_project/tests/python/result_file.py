"""The way the test clients end: run the client, collect every failure in the
result, write it as JSON to the result file (which the Godot test reads) and
to stdout, and give the exit code."""
import asyncio
import json


def run_and_report(run, args, result):
    """Runs the coroutine run(args, result); returns 0 when result["errors"] stays empty, else 1."""
    try:
        asyncio.run(run(args, result))
    except Exception as e:  # every failure must reach the result file
        result["errors"].append(f"{type(e).__name__}: {e}")
    result["ok"] = not result["errors"]
    with open(args.result_file, "w") as f:
        json.dump(result, f)
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1
