// Separate compilation of Asio (with SSL) and Beast: compiled here once, so no
// other translation unit pays for their implementation.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
