from extractor.cli import cli

cli(prog_name="extractor")
