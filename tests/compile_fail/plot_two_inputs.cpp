// expected error: staticmlp: write_gnuplot_fit needs a network with one input and one output
#include <array>

#include <staticmlp/gnuplot.hpp>
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 2, staticmlp::Dense<8, staticmlp::Tanh>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
staticmlp::Status plot_two_inputs(const Net& net,
                                  const std::array<Net::SampleType, 3>& samples) {
  staticmlp::BufferSink<100000> sink;
  return staticmlp::write_gnuplot_fit(sink, net, samples, staticmlp::PlotOptions{});
}
