// Boost.JSON is compiled once, here (separate compilation with BOOST_JSON_NO_LIB);
// no other translation unit in the project may include <boost/json/src.hpp>.
#include <boost/json/src.hpp>
