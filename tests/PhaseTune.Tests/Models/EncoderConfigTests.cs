using PhaseTune.ModelFiles;
using PhaseTune.Models;
using Xunit;

namespace PhaseTune.Tests.Models;

public class EncoderConfigTests
{
    static string Config(string json)
    {
        string path = Path.Combine(Paths.TempDir(), "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("{\"num_hidden_layers\": -2}", "num_hidden_layers must be ≥ 1, got -2")]
    [InlineData("{\"vocab_size\": 0}", "vocab_size must be ≥ 1, got 0")]
    [InlineData("{\"hidden_dropout_prob\": 1.5}", "hidden_dropout_prob must be in [0, 1], got 1.5")]
    [InlineData("{\"pad_token_id\": 40000}", "pad_token_id must be < vocab_size 30522, got 40000")]
    [InlineData("{\"hidden_size\": 100, \"num_attention_heads\": 12}", "hidden_size 100 is not a multiple of num_attention_heads 12")]
    [InlineData("{\"layer_norm_eps\": 0}", "layer_norm_eps must be > 0, got 0")]
    public void ErrorsNameTheKeyAndTheValue(string json, string message)
    {
        string path = Config(json);
        Assert.Equal($"{path}: {message}", Assert.Throws<InvalidDataException>(() => EncoderConfig.Load(path)).Message);
    }

    [Fact]
    public void AConfigLargerThanItsWeightsIsRefusedBeforeAnythingIsAllocated()
    {
        string dir = Paths.TempDir();
        foreach (var f in Directory.GetFiles(Paths.Fixture("tiny-bert"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var text = File.ReadAllText(Path.Combine(dir, "config.json")).Replace("\"vocab_size\": 30522", "\"vocab_size\": 2000000000");
        File.WriteAllText(Path.Combine(dir, "config.json"), text);
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("config.json: describes an encoder of", e.Message);
        Assert.Contains("do not belong together", e.Message);
        Assert.Equal(109_482_240, new EncoderConfig().ParameterCount);   // bert-base-uncased, as HF counts BertModel
    }
}
