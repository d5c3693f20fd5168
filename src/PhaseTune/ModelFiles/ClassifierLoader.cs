using PhaseTune.Inference;
using PhaseTune.Models;

namespace PhaseTune.ModelFiles;

/// <summary>Opens whatever classifier folder a user points at: an export folder (export.json) runs on OnnxRuntime,
/// a saved model folder on TorchSharp; both predict the same.</summary>
public static class ClassifierLoader
{
    /// <param name="precision">a saved model's matrix products (<see cref="Autocast"/>); an export folder's graph is float32 or int8 as exported</param>
    public static ITextClassifier Load(string folder, InferenceOptions? onnxOptions = null, Precision precision = Precision.Fp32)
    {
        if (!ExportManifest.IsExportFolder(folder))
        {
            var model = ClassifierDirectory.Load(folder);
            model.Precision = precision;
            return model;
        }
        if (precision != Precision.Fp32)
            throw new ArgumentException($"{folder} is an export folder: it runs its ONNX graph as exported (see export.json), so --precision does not apply");
        return new OnnxTextClassifier(folder, onnxOptions);
    }
}
