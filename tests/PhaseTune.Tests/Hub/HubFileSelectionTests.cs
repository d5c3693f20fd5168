using PhaseTune.Hub;
using Xunit;

namespace PhaseTune.Tests.Hub;

/// <summary>Which files a repository listing gives a model: the ones it needs and never ONNX, Flax, TF or a second
/// copy of the weights.</summary>
public class HubFileSelectionTests
{
    static IReadOnlyList<string> Select(Dictionary<string, string> repo) =>
        HubFileSelection.Select(repo.Keys.ToHashSet(), f => repo[f]);

    const string StModules = """
        [{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
         {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
         {"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]
        """;

    [Fact]
    public void ASentenceTransformersRepoGivesItsModulesConfigsTokenizerAndOneWeightsFile()
    {
        var repo = new Dictionary<string, string>
        {
            ["modules.json"] = StModules, ["config.json"] = "{}", ["config_sentence_transformers.json"] = "{}", ["sentence_bert_config.json"] = "{}",
            ["1_Pooling/config.json"] = "{}", ["model.safetensors"] = "", ["pytorch_model.bin"] = "", ["tf_model.h5"] = "", ["rust_model.ot"] = "",
            ["flax_model.msgpack"] = "", ["onnx/model.onnx"] = "", ["openvino/openvino_model.bin"] = "", ["tokenizer.json"] = "", ["vocab.txt"] = "",
            ["tokenizer_config.json"] = "", ["special_tokens_map.json"] = "", ["README.md"] = "", ["train_script.py"] = "",
        };
        Assert.Equal(["config.json", "config_sentence_transformers.json", "model.safetensors", "modules.json", "sentence_bert_config.json",
            "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt", "1_Pooling/config.json"],
            Select(repo).OrderBy(f => f.Contains('/')).ThenBy(f => f, StringComparer.Ordinal));
    }

    [Fact]
    public void AShardedCheckpointGivesItsIndexAndEveryShardItNames()
    {
        var repo = new Dictionary<string, string>
        {
            ["config.json"] = "{}", ["vocab.txt"] = "",
            ["model.safetensors.index.json"] = """{"metadata":{},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors","c":"model-00001-of-00002.safetensors"}}""",
            ["model-00001-of-00002.safetensors"] = "", ["model-00002-of-00002.safetensors"] = "", ["pytorch_model.bin"] = "",
        };
        Assert.Equal(["config.json", "vocab.txt", "model.safetensors.index.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], Select(repo));
    }

    [Fact]
    public void APhaseTuneClassifierBringsItsHeadAndLabels()
    {
        var repo = new Dictionary<string, string>
        {
            ["config.json"] = "{}", ["vocab.txt"] = "", ["model.safetensors"] = "", ["head.safetensors"] = "", ["labels.json"] = "{}",
            ["training_config.json"] = "{}", ["plots/loss.png"] = "", ["README.md"] = "",
        };
        Assert.Equal(["labels.json", "head.safetensors", "training_config.json", "config.json", "vocab.txt", "model.safetensors"], Select(repo));
    }

    [Fact]
    public void PytorchWeightsComeOnlyWithoutSafetensors()
    {
        var repo = new Dictionary<string, string>
        {
            ["config.json"] = "{}", ["vocab.json"] = "", ["merges.txt"] = "", ["pytorch_model.bin"] = "", ["tf_model.h5"] = "",
        };
        Assert.Equal(["config.json", "vocab.json", "merges.txt", "pytorch_model.bin"], Select(repo));
    }

    [Fact]
    public void AnOldSentenceTransformersSaveIsReadFromItsTransformerFolder()
    {
        var repo = new Dictionary<string, string>
        {
            ["0_Transformer/config.json"] = "{}", ["0_Transformer/model.safetensors"] = "", ["0_Transformer/vocab.txt"] = "",
            ["1_Pooling/config.json"] = "{}", ["0_Transformer/flax_model.msgpack"] = "",
        };
        Assert.Equal(["0_Transformer/config.json", "0_Transformer/vocab.txt", "0_Transformer/model.safetensors"], Select(repo));
    }

    [Theory]
    [InlineData("""{"weight_map":{"a":"../escape.safetensors"}}""")]
    [InlineData("""{"weight_map":{"a":"sub/x.safetensors"}}""")]
    [InlineData("""{"weight_map":{"a":3}}""")]
    [InlineData("""{"metadata":{}}""")]
    public void AnIndexNamingAnythingButAFileBesideItIsRefused(string index)
    {
        var repo = new Dictionary<string, string> { ["config.json"] = "{}", ["model.safetensors.index.json"] = index };
        var e = Assert.Throws<InvalidDataException>(() => Select(repo));
        Assert.Contains("model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void AModulePathLeavingTheRepositoryIsRefused()
    {
        var repo = new Dictionary<string, string>
        {
            ["modules.json"] = """[{"path":"../x","type":"sentence_transformers.models.Pooling"}]""", ["config.json"] = "{}",
        };
        Assert.Throws<InvalidDataException>(() => Select(repo));
    }

    [Fact]
    public void ASnapshotMissesAShardOrAPoolingConfigOrATokenizer()
    {
        var files = new Dictionary<string, string>
        {
            ["modules.json"] = StModules, ["config.json"] = "{}", ["vocab.txt"] = "", ["1_Pooling/config.json"] = "{}",
            ["model.safetensors.index.json"] = """{"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}}""", ["s1.safetensors"] = "", ["s2.safetensors"] = "",
        };
        string? Missing() => HubFileSelection.Missing(files.ContainsKey, f => files[f]);
        Assert.Null(Missing());
        files.Remove("s2.safetensors");
        Assert.Equal("model.safetensors", Missing());
        files["s2.safetensors"] = "";
        files.Remove("1_Pooling/config.json");
        Assert.Equal("1_Pooling/config.json", Missing());
        files["1_Pooling/config.json"] = "{}";
        files.Remove("vocab.txt");
        Assert.Equal("tokenizer.json", Missing());
    }
}
