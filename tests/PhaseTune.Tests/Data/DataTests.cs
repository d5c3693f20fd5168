using System.IO.Compression;
using PhaseTune.Data;
using Xunit;

namespace PhaseTune.Tests.Data;

public class DataTests
{
    static string Write(string name, string content)
    {
        string path = Path.Combine(Paths.TempDir(), name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void JsonlCsvTsvParquetAndGzipReadTheSameExamples()
    {
        var jsonl = Write("a.jsonl", "{\"text\": \"hello, world\", \"label\": \"x\"}\n\n{\"text\": \"two\\nlines\", \"label\": 3}\n");
        var csv = Write("a.csv", "label,text\nx,\"hello, world\"\r\n3,\"two\nlines\"\n");
        var tsv = Write("a.tsv", "text\tlabel\nhello, world\tx\n\"two\nlines\"\t3\n");
        string gz = jsonl + ".gz";
        using (var f = File.Create(gz)) using (var z = new GZipStream(f, CompressionLevel.Fastest)) z.Write(File.ReadAllBytes(jsonl));
        string parquet = Path.Combine(Paths.TempDir(), "a.parquet");
        using (var f = File.Create(parquet))
            Parquet.Serialization.ParquetSerializer.SerializeAsync(new[] { new Row { text = "hello, world", label = "x" }, new Row { text = "two\nlines", label = "3" } }, f).GetAwaiter().GetResult();
        foreach (var path in new[] { jsonl, csv, tsv, gz, parquet })
        {
            var ex = DatasetReader.Read(path);
            Assert.Equal(["hello, world", "two\nlines"], ex.Select(e => e.Text));
            Assert.Equal(["x", "3"], ex.Select(e => e.Label));
        }
    }

    public sealed class Row { public string? text { get; set; } public string? label { get; set; } }

    [Fact]
    public void PairsAndCustomColumnsAreRead()
    {
        var pairs = DatasetReader.Read(Write("p.jsonl", "{\"text1\": \"a\", \"text2\": \"b\", \"label\": 1}\n"));
        Assert.Equal(("a", "b", "1"), (pairs[0].Text, pairs[0].Text2, pairs[0].Label));
        var custom = DatasetReader.Read(Write("c.csv", "sentence,intent\nhi there,greet\n"), new ColumnOptions("sentence", "intent"));
        Assert.Equal(("hi there", "greet"), (custom[0].Text, custom[0].Label));
    }

    [Theory]
    [InlineData("bad.jsonl", "{\"text\": \"ok\", \"label\": \"a\"}\n{\"text\": oops}\n", "bad.jsonl:2: malformed JSON")]
    [InlineData("nolabel.jsonl", "{\"text\": \"ok\"}\n", "nolabel.jsonl:1: missing label column 'label'")]
    [InlineData("empty-text.jsonl", "{\"text\": \"  \", \"label\": \"a\"}\n", "empty-text.jsonl:1: empty text")]
    [InlineData("empty.jsonl", "", "empty.jsonl: no examples (empty file)")]
    [InlineData("col.csv", "sentence,label\nhi,a\n", "col.csv:2: missing text column 'text' (columns: sentence, label)")]
    [InlineData("ragged.csv", "text,label\nhi,a,extra\n", "ragged.csv:2: 3 fields, header has 2")]
    [InlineData("quote.csv", "text,label\n\"hi,a\n", "quote.csv:2: unterminated quoted field")]
    [InlineData("merged.csv", "text,label\n\"never closed,a\nnext row,b\n\"third\",c\n", "merged.csv:4: 't' after the closing quote of a field opened on line 2")]
    [InlineData("after.tsv", "text\tlabel\n\"quoted\"x\ta\n", "after.tsv:2: 'x' after the closing quote")]
    public void BadFilesNameFileAndLine(string name, string content, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => DatasetReader.Read(Write(name, content)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void StrictCsvStillReadsQuotedDelimitersNewlinesQuotesBomAndCrlf()
    {
        string path = Path.Combine(Paths.TempDir(), "ok.csv");
        File.WriteAllText(path, "text,label\r\n\"a, \"\"quoted\"\" word\nover two lines\",x\r\nplain,y\r\n", new System.Text.UTF8Encoding(true));
        var rows = DatasetReader.Read(path);
        Assert.Equal(["a, \"quoted\" word\nover two lines", "plain"], rows.Select(r => r.Text));
        Assert.Equal(["x", "y"], rows.Select(r => r.Label));
        Assert.Equal([2, 4], rows.Select(r => r.Line));
    }

    [Fact]
    public void StratifiedSplitTakesTwentyPercentOfEveryClassReproducibly()
    {
        var all = Enumerable.Range(0, 100).Select(i => new Example($"t{i}", null, i % 10 == 0 ? "rare" : "common", "f", i + 1)).ToList();
        var (train, dev) = DataSplits.StratifiedSplit(all, 0.2, seed: 4);
        Assert.Equal(2, dev.Count(e => e.Label == "rare"));
        Assert.Equal(18, dev.Count(e => e.Label == "common"));
        Assert.Equal(100, train.Count + dev.Count);
        Assert.Empty(train.Select(e => e.Text).Intersect(dev.Select(e => e.Text)));
        Assert.Equal(dev, DataSplits.StratifiedSplit(all, 0.2, seed: 4).Dev);
        Assert.NotEqual(dev, DataSplits.StratifiedSplit(all, 0.2, seed: 5).Dev);
    }

    [Fact]
    public void StratifiedSampleKeepsEveryClassInProportion()
    {
        // labels clustered in source order, as MASSIVE's are: the first rows would miss classes
        var all = Enumerable.Range(0, 1000).Select(i => new Example($"t{i}", null, i < 700 ? "a" : i < 990 ? "b" : "c", "f", i + 1)).ToList();
        var sample = DataSplits.StratifiedSample(all, 100, seed: 1);
        Assert.Equal(70, sample.Count(e => e.Label == "a"));
        Assert.Equal(29, sample.Count(e => e.Label == "b"));
        Assert.Equal(1, sample.Count(e => e.Label == "c"));
        Assert.Equal(sample.OrderBy(e => e.Line), sample);
        Assert.Equal(sample, DataSplits.StratifiedSample(all, 100, seed: 1));
        Assert.NotEqual(sample, DataSplits.StratifiedSample(all, 100, seed: 2));
    }

    [Fact]
    public void DirectoryLoadFindsSplitsAndRejectsUnseenLabels()
    {
        string dir = Paths.TempDir();
        File.WriteAllText(Path.Combine(dir, "train.jsonl"), string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{{\"text\": \"t{i}\", \"label\": \"{(i % 2 == 0 ? "a" : "b")}\"}}")));
        File.WriteAllText(Path.Combine(dir, "test.jsonl"), "{\"text\": \"x\", \"label\": \"a\"}\n");
        var splits = DataSplits.Load(dir, null, null, null, new ColumnOptions(), seed: 1);
        Assert.True(splits.DevWasSplit);
        Assert.Equal(2, splits.Dev.Count);
        Assert.Equal(["a", "b"], splits.Labels.Names);
        File.WriteAllText(Path.Combine(dir, "test.jsonl"), "{\"text\": \"x\", \"label\": \"c\"}\n{\"text\": \"y\", \"label\": \"d\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => DataSplits.Load(dir, null, null, null, new ColumnOptions(), seed: 1));
        Assert.Contains("labels not seen in train: 'c', 'd'", e.Message);
    }

    [Fact]
    public void HierarchicalLabelsSplitIntoLevels()
    {
        var labels = new LabelSet(["World/Politics", "Tech"], "/");
        Assert.Equal(["World", "Politics"], labels.Levels("World/Politics"));
        Assert.Equal(["Tech"], labels.Levels("Tech"));
    }
}
